"""Fixed material for the demo data set (`manage.py seed_demo`) and the CV PDF builder.

Everything here is plain data or a pure function: the command draws from these lists with a
seeded `random.Random`, so every run produces the same people and records. Names, places
and texts are French because they are what a French advisor would type (catalogue-like
content, not interface strings).
"""

import unicodedata
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, ListFlowable, ListItem, Paragraph, SimpleDocTemplate

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


def ascii_slug(text: str, sep: str = "-") -> str:
    """'Léa N'Diaye' -> 'Lea-NDiaye' (for file names and e-mail local parts)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = ["".join(ch for ch in word if ch.isalnum()) for word in plain.split()]
    return sep.join(word for word in words if word)


@dataclass(frozen=True)
class CvExperience:
    period: str
    role: str
    place: str


def build_cv_pdf(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    city: str = "",
    headline: str = "",
    experiences: list[CvExperience] | tuple[CvExperience, ...] = (),
    education: list[str] | tuple[str, ...] = (),
    skills: list[str] | tuple[str, ...] = (),
) -> bytes:
    """A one-page CV as a real PDF (text is extractable, e.g. with pypdf).

    `invariant=True` keeps the bytes identical from one run to the next (no timestamp or
    random document id).
    """
    buffer = BytesIO()
    full_name = f"{first_name} {last_name}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"CV — {full_name}",
        author=full_name,
        invariant=True,
    )
    base = getSampleStyleSheet()
    name_style = ParagraphStyle("Name", parent=base["Title"], alignment=0, spaceAfter=2 * mm)
    contact_style = ParagraphStyle("Contact", parent=base["Normal"], textColor=colors.dimgray)
    section_style = ParagraphStyle(
        "Section", parent=base["Heading2"], spaceBefore=5 * mm, spaceAfter=2 * mm
    )
    body = base["Normal"]

    story = [Paragraph(escape(full_name), name_style)]
    if headline:
        story.append(Paragraph(f"<i>{escape(headline)}</i>", body))
    contact = " · ".join(escape(part) for part in (email, phone, city) if part)
    if contact:
        story.append(Paragraph(contact, contact_style))
    story.append(HRFlowable(width="100%", color=colors.lightgrey, spaceBefore=3 * mm))

    def bullets(lines: list[str]) -> ListFlowable:
        return ListFlowable(
            [ListItem(Paragraph(line, body), leftIndent=10) for line in lines],
            bulletType="bullet",
            start="•",
            leftIndent=10,
        )

    if experiences:
        story.append(Paragraph("Expériences", section_style))
        story.append(
            bullets(
                [
                    f"<b>{escape(e.period)}</b> — {escape(e.role)}, {escape(e.place)}"
                    for e in experiences
                ]
            )
        )
    if education:
        story.append(Paragraph("Formation", section_style))
        story.append(bullets([escape(line) for line in education]))
    if skills:
        story.append(Paragraph("Compétences", section_style))
        story.append(Paragraph(escape(" · ".join(skills)), body))

    doc.build(story)
    return buffer.getvalue()
