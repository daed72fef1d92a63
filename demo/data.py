"""Fixed material of the demo data set: organisations, accounts, names, places and texts.

Everything here is plain data or a pure function: the planner draws from these lists with a
seeded `random.Random`, so every run produces the same people and records. Names, places
and texts are French because they are what a French advisor would type (catalogue-like
content, not interface strings).
"""

import unicodedata

from accounts.enums import OrganizationKind, Role
from cases.enums import ApplicationStatus

DEFAULT_DEMO_PASSWORD = "relais-demo-2026"
SEED = 2026
STAFF_EMAIL_DOMAIN = "demo.relais.invalid"
YOUNG_PERSON_EMAIL_DOMAIN = "exemple.invalid"
FILES_PER_ADVISOR = 32
FILES_PER_SUPERVISOR = 3

# key, name, kind, territory
ORGANIZATIONS = (
    (
        "nord",
        "Mission Locale Demo Nord",
        OrganizationKind.MISSION_LOCALE,
        "Métropole lilloise (59)",
    ),
    ("sud", "Mission Locale Demo Sud", OrganizationKind.MISSION_LOCALE, "Marseille — Aubagne (13)"),
    ("emmaus", "Emmaüs Connect Demo", OrganizationKind.EMMAUS_CONNECT, "Seine-Saint-Denis (93)"),
    ("formation", "Partenaire Formation Demo", OrganizationKind.PARTNER, "Hauts-de-France"),
)
DEMO_ORGANIZATION_NAMES = tuple(name for _key, name, _kind, _territory in ORGANIZATIONS)

# username, first name, last name, organisation key, role, number of own files
ACCOUNTS = (
    ("conseiller.nord", "Camille", "Lefebvre", "nord", Role.ADVISOR, FILES_PER_ADVISOR),
    ("conseiller2.nord", "Julien", "Roussel", "nord", Role.ADVISOR, FILES_PER_ADVISOR),
    ("superviseur.nord", "Nathalie", "Dubreuil", "nord", Role.SUPERVISOR, FILES_PER_SUPERVISOR),
    ("admin.nord", "Olivier", "Marchand", "nord", Role.ORG_ADMIN, 0),
    ("conseiller.sud", "Sophie", "Martinez", "sud", Role.ADVISOR, FILES_PER_ADVISOR),
    ("superviseur.sud", "Karim", "Benali", "sud", Role.SUPERVISOR, FILES_PER_SUPERVISOR),
    ("conseiller.emmaus", "Élise", "Morvan", "emmaus", Role.ADVISOR, FILES_PER_ADVISOR),
    ("superviseur.emmaus", "Mehdi", "Cherki", "emmaus", Role.SUPERVISOR, FILES_PER_SUPERVISOR),
    ("partenaire.formation", "Claire", "Vautrin", "formation", Role.PARTNER, 0),
)
SUPERUSER = ("admin", "Équipe", "Plateforme")
DEMO_USERNAMES = (*(row[0] for row in ACCOUNTS), SUPERUSER[0])
# The accounts that must use two-factor authentication (supervisors, organisation admins,
# the superuser) get this authenticator secret, printed in the README, so the demo works
# with any authenticator app or `oathtool --totp -b RELAISDEMOTOTPSECRETFORDEMOS2345`.
DEMO_TOTP_SECRET = "RELAISDEMOTOTPSECRETFORDEMOS2345"

FIRST_NAMES = (
    "Adam", "Aïcha", "Alexis", "Amandine", "Amine", "Anaïs", "Axel", "Bilal", "Camille",
    "Chloé", "Clément", "Dylan", "Élodie", "Emma", "Enzo", "Fatou", "Gabriel", "Hugo",
    "Inès", "Jade", "Jordan", "Kenza", "Kevin", "Léa", "Lina", "Louis", "Lucas", "Maël",
    "Manon", "Mathis", "Maxime", "Mélissa", "Mohamed", "Nathan", "Noah", "Océane", "Rayan",
    "Romain", "Sarah", "Sofiane", "Théo", "Yanis", "Yasmine", "Zoé",
)  # fmt: skip

LAST_NAMES = (
    "Bernard", "Bertin", "Boucher", "Bouzid", "Carpentier", "Chevalier", "Colin", "Coulibaly",
    "Da Silva", "David", "Diallo", "Dubois", "Dupont", "Durand", "Faure", "Fernandes",
    "Fontaine", "Garnier", "Gauthier", "Girard", "Guérin", "Haddad", "Henry", "Lambert",
    "Laurent", "Lefèvre", "Legrand", "Lemaire", "Leroy", "Mallet", "Martin", "Mercier",
    "Meyer", "Morel", "Moreau", "N'Diaye", "Nguyen", "Perrin", "Petit", "Roche", "Rousseau",
    "Roux", "Traoré", "Vasseur", "Vincent",
)  # fmt: skip

CITIES = {
    "nord": ("Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "Wattrelos", "Lomme"),
    "sud": ("Marseille", "Aubagne", "La Ciotat", "Vitrolles", "Marignane", "Allauch"),
    "emmaus": ("Saint-Denis", "Aubervilliers", "Bobigny", "Montreuil", "Pantin", "Bondy"),
}

# Trades young people apply for, with plausible employers.
JOBS = (
    ("Employé·e polyvalent·e de restauration", ("Brasserie du Port", "Resto Express")),
    ("Préparateur·rice de commandes", ("Logistique Nord Express", "Entrepôts du Sud")),
    ("Agent·e d'entretien", ("Net'Services", "Propreté Plus")),
    ("Vendeur·se en magasin", ("Sport Horizon", "Maison & Déco")),
    ("Employé·e libre-service", ("Supermarché du Centre", "Épicerie Solidaire")),
    ("Aide à domicile", ("ADMR Demo", "Âge d'Or Services")),
    ("Agent·e de sécurité", ("Vigilance Sécurité",)),
    ("Apprenti·e boulanger·ère", ("Boulangerie Martin", "Au Bon Pain")),
    ("Apprenti·e électricien·ne", ("Élec Bâtiment",)),
    ("Livreur·se", ("Coursiers Urbains",)),
    ("Hôte·sse de caisse", ("Hyper Demo",)),
    ("Animateur·rice périscolaire", ("Ville Demo — service jeunesse",)),
)

# Past experience lines for CVs: (period, role, place).
EXPERIENCES = (
    ("Été {y}", "Saisonnier·ère — cueillette", "Exploitation agricole, {city}"),
    ("{y}", "Stage de 3e — vente", "Supérette, {city}"),
    ("{y}", "Bénévolat — distribution alimentaire", "Restos du Cœur, {city}"),
    ("{y} (2 mois)", "Équipier·ère polyvalent·e", "Restauration rapide, {city}"),
    ("{y}", "Mission d'intérim — manutention", "Plateforme logistique, {city}"),
    ("{y} (6 mois)", "Service civique — aide aux devoirs", "Association de quartier, {city}"),
    ("{y}", "Stage — accueil et standard", "Mairie de {city}"),
    ("{y} (3 semaines)", "Stage — mise en rayon", "Grande surface, {city}"),
)

EDUCATION = (
    "CAP Équipier polyvalent du commerce (en cours)",
    "Brevet des collèges",
    "Bac pro Accueil — relation clients (non obtenu)",
    "CAP Cuisine",
    "Seconde générale",
    "Bac pro Logistique",
    "Titre professionnel Agent de propreté (niveau 3)",
)

SKILLS = (
    "Ponctualité",
    "Travail en équipe",
    "Permis B en cours",
    "Sens du contact",
    "Anglais : notions",
    "Port de charges",
    "Bureautique : notions",
    "Gestion de la caisse",
)

FOLLOW_UP_NOTES = (
    "Point sur la recherche d'emploi ; motivation correcte.",
    "Entretien de suivi : démarches administratives en cours.",
    "Atelier CV réalisé ensemble, à finaliser.",
    "Échange sur les offres repérées cette semaine.",
    "Aide à la création du compte France Travail.",
    "Préparation à un entretien d'embauche (simulation).",
    "Point logement et mobilité ; orientation vers l'aide au permis.",
    "Le jeune a manqué le dernier rendez-vous, relance faite.",
    "Accompagnement à l'envoi d'une candidature en ligne.",
    "Bilan des démarches du mois, objectifs fixés.",
)

NEXT_ACTIONS = (
    "Apporter une pièce d'identité",
    "Envoyer deux candidatures",
    "Terminer le CV",
    "Créer l'adresse e-mail avec le conseiller",
    "Se présenter au job dating",
    "Rappeler l'entreprise pour un retour",
    "",
)

STEP_EVIDENCE = {
    "create_email": "Adresse créée pendant l'entretien",
    "send_attachment": "E-mail avec pièce jointe envoyé au conseiller",
    "write_cv": "CV rédigé en atelier",
    "upload_cv": "CV déposé dans le dossier",
    "register_france_travail": "Inscription confirmée",
    "first_online_application": "Candidature envoyée en ligne",
    "get_device": "Smartphone reconditionné obtenu",
    "get_data_plan": "Carte SIM solidaire remise",
}

APPLICATION_NOTES = {
    ApplicationStatus.DRAFT: "Lettre de motivation à relire ensemble.",
    ApplicationStatus.SENT: "Relance prévue dans dix jours.",
    ApplicationStatus.INTERVIEW: "Entretien obtenu : préparation faite en rendez-vous.",
    ApplicationStatus.HIRED: "Embauche confirmée.",
    ApplicationStatus.REJECTED: "Réponse négative reçue par e-mail.",
}
CLOSING_NOTES = (
    "Clôture du dossier : entrée en formation qualifiante.",
    "Clôture du dossier : déménagement hors du territoire.",
    "Clôture du dossier : plus de nouvelles malgré les relances.",
)


def ascii_slug(text: str, sep: str = "-") -> str:
    """'Léa N'Diaye' -> 'Lea-NDiaye' (for file names and e-mail local parts)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = ["".join(ch for ch in word if ch.isalnum()) for word in plain.split()]
    return sep.join(word for word in words if word)
