from .selectors import memberships_for_user


def tenancy(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    member = getattr(request, "member", None)
    context = {
        "member": member,
        "project": member.project if member else None,
        "memberships": memberships_for_user(user),
    }
    if member is not None:
        from moonflow.jobs.selectors import unread_notification_count

        context["unread_notifications"] = unread_notification_count(member=member)
    return context
