"""A small Content-Security-Policy: everything from this origin only, no inline scripts or
styles (the pages' one script is a static file), no framing (X-Frame-Options says so too)."""

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view (the admin, say) may set its own policy; keep it.
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
