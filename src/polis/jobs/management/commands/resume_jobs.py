"""Queue again the background jobs whose worker died (killed, out of memory, machine lost).

Run it every minute or so (cron, a systemd timer), and once when workers start:

    python manage.py resume_jobs

A job is resumed only after its worker has been silent for jobs.services.LEASE; a live job is
never touched, so running it alongside the workers is safe.
"""

from typing import Any

from django.core.management.base import BaseCommand

from polis.jobs.services import jobs_resume


class Command(BaseCommand):
    help = "Перезапустить фоновые задания, чей обработчик перестал отвечать."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = jobs_resume()
        self.stdout.write(f"queued again: {queued}" if queued else "nothing to resume")
