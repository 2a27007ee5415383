from jobs import roles as job_roles


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"can": job_roles.capabilities(user)}
