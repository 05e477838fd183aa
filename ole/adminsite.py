"""The admin site: Django's, with staff sign-in in two steps (password, then a one-time code; `ole.twofactor`)
while OLE_STAFF_2FA is on. Every admin page, the editors' pages included, refuses a staff session that is not
verified with a second factor."""

from __future__ import annotations

from collections.abc import Callable

import segno
from django import forms
from django.conf import settings
from django.contrib import admin, auth, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from . import loginguard, twofactor


class CodeForm(forms.Form):
    """The code typed at either step (the templates write its input: numeric keypad or not, one-time-code)."""

    code = forms.CharField(label="Code", max_length=40, error_messages={"required": "Type the code."})


class OleAdminSite(admin.AdminSite):
    index_template = "admin/dashboard.html"
    _dashboard: Callable[[HttpRequest], object] | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[tuple[str, Callable[..., HttpResponse], str]] = []

    def register_page(self, route: str, view: Callable[..., HttpResponse], *, name: str) -> None:
        """An app's own admin page (stories' editorial calendar) at /admin/<route>, behind the admin's sign-in
        and second factor: ole imports no app. The view checks its own permissions."""
        self._pages.append((route, view, name))

    def register_dashboard(self, gather: Callable[[HttpRequest], object]) -> None:
        """The app that knows what waits for the editors (stories.dashboard) gives the index its dashboard: ole
        imports no app. `gather(request)` returns what `admin/includes/desk.html` shows, or None."""
        self._dashboard = gather

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        dashboard = self._dashboard(request) if self._dashboard is not None else None
        return super().index(request, {"dashboard": dashboard, **(extra_context or {})})

    def has_permission(self, request: HttpRequest) -> bool:
        """Staff, and, while OLE_STAFF_2FA is on, verified with a second factor in this session."""
        user = request.user
        return super().has_permission(request) and (not twofactor.required(user) or twofactor.is_verified(user))

    def get_urls(self):
        return [
            path("sign-in/code/", self.second_factor, name="second_factor"),
            path("sign-in/authenticator/", self.enrol, name="second_factor_enrol"),
            path("set-password/<uidb64>/<token>/", self.set_password, name="set_password"),
            path("sign-in/recovery-codes/", self.admin_view(self.recovery_codes), name="recovery_codes"),
            *(path(route, self.admin_view(view), name=name) for route, view, name in self._pages),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """The password step. A staff session not verified with a second factor (one from before the setting
        was turned on, or whose authenticator was removed) is ended here rather than continued."""
        if twofactor.required(request.user) and not twofactor.is_verified(request.user):
            auth.logout(request)
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            **(extra_context or {}),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        request.current_app = self.name
        return PasswordStepView.as_view(extra_context=context, admin_site=self)(request)

    @method_decorator([never_cache, csrf_protect, sensitive_post_parameters("code")])
    def second_factor(self, request: HttpRequest) -> HttpResponse:
        """The code step: a code from the authenticator app, or (`?recovery=1`) a recovery code, used up."""
        user = twofactor.pending_user(request)
        if user is None:
            return self._start_again(request)
        if not twofactor.has_device(user):
            return HttpResponseRedirect(reverse("admin:second_factor_enrol", current_app=self.name))
        recovery = request.GET.get("recovery") == "1"
        form = CodeForm(request.POST or None)
        if form.is_valid():
            device = twofactor.verify_code(user, form.cleaned_data["code"], recovery=recovery)
            if device is not None:
                loginguard.code_step_passed(request)
                next_url = twofactor.finish(request, user, device)
                if recovery:
                    left = twofactor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        format_html(
                            "You signed in with a recovery code; it will not work again. {} left "
                            '(<a href="{}">make new ones</a>). If your phone is lost, ask an administrator to '
                            "remove your authenticator so that you can set up a new one.",
                            left,
                            reverse("admin:recovery_codes", current_app=self.name),
                        ),
                    )
                return HttpResponseRedirect(next_url)
            form.add_error(
                "code",
                "That recovery code is not right, or was used already."
                if recovery
                else "That code is not right. Type the 6 digits your authenticator app shows now.",
            )
        return TemplateResponse(
            request,
            "admin/second_factor.html",
            {
                **self.each_context(request),
                "title": "Your sign-in code",
                "form": form,
                "recovery": recovery,
                "issuer": settings.OTP_TOTP_ISSUER,
            },
        )

    @method_decorator([never_cache, csrf_protect, sensitive_post_parameters("code")])
    def enrol(self, request: HttpRequest) -> HttpResponse:
        """First sign-in: set up an authenticator app, confirm it with a code, see the recovery codes once."""
        user = twofactor.pending_user(request)
        if user is None:
            return self._start_again(request)
        if twofactor.has_device(user):
            return HttpResponseRedirect(reverse("admin:second_factor", current_app=self.name))
        device = twofactor.enrolment_device(user)
        form = CodeForm(request.POST or None)
        if form.is_valid():
            codes = twofactor.confirm_enrolment(device, form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                loginguard.code_step_passed(request)
                next_url = twofactor.finish(request, user, device)
                return TemplateResponse(
                    request,
                    "admin/recovery_codes.html",
                    {**self.each_context(request), "title": "Your recovery codes", "codes": codes, "next": next_url},
                )
            form.add_error(
                "code", f"That code is not right. Type the 6 digits the app shows now for {settings.OTP_TOTP_ISSUER}."
            )
        uri = device.config_url
        return TemplateResponse(
            request,
            "admin/second_factor_enrol.html",
            {
                **self.each_context(request),
                "title": "Set up your sign-in codes",
                "form": form,
                "issuer": settings.OTP_TOTP_ISSUER,
                "otpauth_uri": uri,
                "secret": twofactor.readable_secret(device),
                # Drawn here as SVG: no script and no request to anyone else.
                "qr_svg": mark_safe(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")),
            },
        )

    @method_decorator(sensitive_post_parameters())
    def recovery_codes(self, request: HttpRequest) -> HttpResponse:
        """A signed-in staff member sees how many recovery codes are left and can make ten new ones (the old ones
        stop working); the new ones are shown once."""
        if request.method == "POST":
            codes = twofactor.new_recovery_codes(request.user)
            return TemplateResponse(
                request,
                "admin/recovery_codes.html",
                {
                    **self.each_context(request),
                    "title": "Your new recovery codes",
                    "codes": codes,
                    "next": reverse("admin:index", current_app=self.name),
                    "renewed": True,
                },
            )
        return TemplateResponse(
            request,
            "admin/recovery_codes_left.html",
            {
                **self.each_context(request),
                "title": "Recovery codes",
                "left": twofactor.recovery_codes_left(request.user),
                "second_factor": twofactor.required(request.user),
            },
        )

    def set_password(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        """A new editor's one-time link (`manage.py create_editor`): choose a password, then sign in."""
        context = {**self.each_context(request), "title": "Choose your password"}
        return SetPasswordView.as_view(extra_context=context)(request, uidb64=uidb64, token=token)

    def _start_again(self, request: HttpRequest) -> HttpResponse:
        messages.info(request, "Please sign in again: the code step waits 5 minutes after the password.")
        return HttpResponseRedirect(reverse("admin:login", current_app=self.name))


class PasswordStepView(LoginView):
    """Django's admin sign-in; a staff user who needs a second factor goes on to the code step instead of being
    signed in (the sign-in lock counts this step in ole.loginguard)."""

    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"
    admin_site: OleAdminSite | None = None

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if not twofactor.required(user):
            return super().form_valid(form)
        name = self.admin_site.name
        twofactor.start(
            self.request, user, next_url=self.get_redirect_url() or reverse("admin:index", current_app=name)
        )
        step = "admin:second_factor" if twofactor.has_device(user) else "admin:second_factor_enrol"
        return HttpResponseRedirect(reverse(step, current_app=name))


class SetPasswordView(PasswordResetConfirmView):
    """Django's password-reset confirmation, for the link `create_editor` prints (it works once, and for
    PASSWORD_RESET_TIMEOUT); the editor then signs in, and sets up a second factor where that is on."""

    success_url = reverse_lazy("admin:login")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return response
