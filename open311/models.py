"""What Open311 adds to the domain: the record of how a report came in through the protocol."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Open311Submission(models.Model):
    """How an issue came in through Open311: the API key it came through, and what the client said
    about the person behind it.

    Open311 lets a client send the citizen's e-mail, name, phone and its own device and account
    ids. We create no accounts from them (the issue's reporter is the key's account) and never show
    them in any answer; staff see them here. They are kept out of the event log on purpose: events
    are append-only, and personal data must stay erasable (`open311_submission_erase_contact`).
    `media_url` is kept as sent but never served: we did not fetch it, so nobody checked it.
    """

    issue = models.OneToOneField("issues.Issue", on_delete=models.CASCADE, related_name="open311_submission")
    api_key = models.ForeignKey(
        "accounts.ApiKey", verbose_name=_("API key"), on_delete=models.PROTECT, related_name="open311_submissions"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    device_id = models.CharField(_("device id"), max_length=200, blank=True)
    account_id = models.CharField(_("client's account id"), max_length=200, blank=True)
    address_id = models.CharField(_("address id"), max_length=200, blank=True)
    media_url = models.URLField(_("media URL as sent"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        # The table keeps the name it had when the model lived in the issues app (moved, not copied).
        db_table = "issues_open311submission"
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        indexes = [models.Index(fields=["api_key", "created_at"], name="open311_submission_key_idx")]

    def __str__(self) -> str:
        return f"{self.issue_id} via {self.api_key_id}"
