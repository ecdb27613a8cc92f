"""Long work a person starts and watches: an import, later accruals and bulk PDFs. A row per job
(NetBox's habit), so progress survives page reloads and the worker's restarts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from polis import clock


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("в очереди")
    RUNNING = "running", _("выполняется")
    DONE = "done", _("готово")
    FAILED = "failed", _("ошибка")


class Job(models.Model):
    kind = models.CharField(_("вид"), max_length=40)
    title = models.CharField(_("название"), max_length=300)
    status = models.CharField(_("статус"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("кто запустил")
    )
    created_at = models.DateTimeField(_("создано"), default=clock.now)
    started_at = models.DateTimeField(_("начато"), null=True, blank=True)
    finished_at = models.DateTimeField(_("закончено"), null=True, blank=True)
    # A running job's lease: the worker touches it as it works; a job whose worker died (no touch
    # for jobs.services.LEASE) is taken over by `resume_jobs` and run again from where it is.
    heartbeat_at = models.DateTimeField(_("последний признак жизни"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("запусков"), default=0)
    total = models.PositiveIntegerField(_("всего"), default=0)
    done = models.PositiveIntegerField(_("сделано"), default=0)
    # The input, kept with the job: what was uploaded, and its hash for "the same file again".
    input_file = models.FileField(_("файл"), upload_to="jobs/%Y/%m/", blank=True)
    input_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    input_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    params = models.JSONField(_("параметры"), default=dict, blank=True)
    # What came of it: counts and a summary for the page; rejected rows live in JobProblem.
    result = models.JSONField(_("итог"), default=dict, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("фоновое задание")
        verbose_name_plural = _("фоновые задания")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}


class JobProblem(models.Model):
    """One rejected input row and why, in words a clerk can act on."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="problems", verbose_name=_("задание"))
    row = models.PositiveIntegerField(_("строка"))
    code = models.CharField(_("код"), max_length=40)
    message = models.CharField(_("причина"), max_length=500)
    data = models.JSONField(_("данные строки"), default=dict, blank=True)

    class Meta:
        verbose_name = _("отклонённая строка")
        verbose_name_plural = _("отклонённые строки")
        ordering = ["row", "pk"]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"
