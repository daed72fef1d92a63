"""The hooks `accounts` services fire (core/hooks.py says why hooks and not signals).

`membership_changed(membership=…)`: a membership was created, changed role, or was
deactivated or reactivated. Fired inside the service's transaction, after the membership
is saved. Listeners: `referrals.services.referral_grants_on_membership_change` (the grants
on shared files follow the roles), registered in `referrals/apps.py`."""

from core.hooks import Hook

membership_changed = Hook("membership_changed", arguments=("membership",))
