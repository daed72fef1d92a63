"""Demo referrals, written through `referrals.services` by both sides of each referral."""

from accounts.enums import OrganizationKind
from cases.enums import YoungPersonStatus
from cases.models import YoungPerson
from demo.seeders.accounts import Staff
from referrals import services as referrals


def seed_referrals(*, staff: Staff, files: dict[str, list[YoungPerson]]) -> None:
    """Referrals in every status, from both missions locales; the first two active files of
    conseiller.nord are left out (they are delegated)."""
    users, organizations = staff.users, staff.organizations
    emmaus = next(o for o in organizations.values() if o.kind == OrganizationKind.EMMAUS_CONNECT)
    partner = next(o for o in organizations.values() if o.kind == OrganizationKind.PARTNER)
    nord, sud = users["conseiller.nord"], users["conseiller.sud"]
    active = {
        username: [yp for yp in people if yp.status == YoungPersonStatus.ACTIVE]
        for username, people in files.items()
    }
    # Keep the first two active files of conseiller.nord free: they are delegated.
    candidates = iter(active["conseiller.nord"][2:])

    def send(actor, young_person, to, reason, sections, message):
        return referrals.referral_send(
            actor=actor,
            young_person=young_person,
            to_organization=to,
            reason=reason,
            message=message,
            shared_sections=sections,
            consent_method="oral",
            consent_given=True,
        )

    identity_diag = ["identity", "diagnostic", "steps"]
    send(
        nord,
        next(candidates),
        emmaus,
        "equipment",
        identity_diag,
        "Pas de smartphone ni d'ordinateur : a besoin d'un équipement reconditionné.",
    )
    send(
        nord,
        next(candidates),
        partner,
        "training",
        ["identity", "applications"],
        "Souhaite une formation aux métiers de la logistique.",
    )
    accepted = send(
        nord,
        next(candidates),
        emmaus,
        "connectivity",
        identity_diag,
        "Forfait épuisé chaque mois : une carte SIM solidaire l'aiderait.",
    )
    referrals.referral_accept(
        actor=users["conseiller.emmaus"], referral=accepted, note="Rendez-vous proposé jeudi."
    )
    referrals.referral_message_post(
        actor=users["conseiller.emmaus"],
        referral=accepted,
        body="Pouvez-vous confirmer son numéro de téléphone ?",
    )
    referrals.referral_message_post(
        actor=nord, referral=accepted, body="Oui, il est à jour dans la fiche partagée."
    )
    completed = send(
        nord,
        next(candidates),
        emmaus,
        "digital_skills",
        identity_diag,
        "Ne sait pas envoyer une pièce jointe.",
    )
    referrals.referral_accept(
        actor=users["superviseur.emmaus"],
        referral=completed,
        handler=users["conseiller.emmaus"],
    )
    referrals.referral_complete(
        actor=users["conseiller.emmaus"],
        referral=completed,
        outcome_code="skills_workshop",
        outcome_note="A suivi trois ateliers « premiers pas ».",
    )
    declined = send(
        nord, next(candidates), partner, "training", ["identity"], "Formation cariste ?"
    )
    referrals.referral_decline(
        actor=users["partenaire.formation"],
        referral=declined,
        reason="no_capacity",
        note="Session complète, rappeler en mars.",
    )
    cancelled = send(nord, next(candidates), partner, "training", ["identity"], "")
    referrals.referral_cancel(actor=nord, referral=cancelled, note="A trouvé un emploi.")
    expired = send(nord, next(candidates), emmaus, "equipment", ["identity"], "")
    referrals.referral_expire(referral=expired)
    send(
        sud,
        active["conseiller.sud"][0],
        emmaus,
        "equipment",
        identity_diag,
        "Téléphone cassé, pas de moyen d'en racheter un.",
    )
