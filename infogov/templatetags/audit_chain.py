"""``{% audit_chain_panel %}``: the audit trail's state on the admin index (infogov.auditchain)."""

from django import template

from infogov import auditchain

register = template.Library()


@register.inclusion_tag("infogov/audit_chain_panel.html", takes_context=True)
def audit_chain_panel(context) -> dict:
    """The state for those who may read the audit trail; nothing for anyone else."""
    request = context.get("request")
    if request is None or not request.user.has_perm("infogov.view_auditentry"):
        return {"state": None}
    return {"state": auditchain.state()}
