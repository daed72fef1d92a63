"""The demo data set (`manage.py seed_demo`), kept out of the production apps.

Installed only when asked (config/settings.py: DEBUG, RELAIS_TESTING or RELAIS_DEMO=1).
It sits at the top of the house: it imports the apps' services, and no app imports it.
"""
