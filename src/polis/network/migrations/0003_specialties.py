"""Reference data: the specialties the insurers' telemedicine and clinics list (DOMAIN.md)."""

from django.db import migrations

SPECIALTIES = [
    ("therapist", "Терапевт", "outpatient"),
    ("gp", "Врач общей практики", "outpatient"),
    ("pediatrician", "Педиатр", "outpatient"),
    ("neurologist", "Невролог", "outpatient"),
    ("cardiologist", "Кардиолог", "outpatient"),
    ("endocrinologist", "Эндокринолог", "outpatient"),
    ("urologist", "Уролог", "outpatient"),
    ("gynecologist", "Гинеколог", "outpatient"),
    ("ent", "Оториноларинголог (ЛОР)", "outpatient"),
    ("allergist", "Аллерголог-иммунолог", "outpatient"),
    ("gastroenterologist", "Гастроэнтеролог", "outpatient"),
    ("dermatologist", "Дерматовенеролог", "outpatient"),
    ("orthopedist", "Травматолог-ортопед", "outpatient"),
    ("ophthalmologist", "Офтальмолог", "outpatient"),
    ("surgeon", "Хирург", "outpatient"),
    ("psychologist", "Психолог", "outpatient"),
    ("dentist-therapist", "Стоматолог-терапевт", "dental"),
    ("dentist-surgeon", "Стоматолог-хирург", "dental"),
    ("dental-hygienist", "Гигиенист стоматологический", "dental"),
    ("checkup-doctor", "Врач программы чекапа", "checkup"),
]


def seed(apps, schema_editor):
    Specialty = apps.get_model("network", "Specialty")
    for code, name, kind in SPECIALTIES:
        Specialty.objects.update_or_create(code=code, defaults={"name": name, "kind": kind})


def unseed(apps, schema_editor):
    apps.get_model("network", "Specialty").objects.filter(code__in=[c for c, _, _ in SPECIALTIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0002_directory_and_booking")]
    operations = [migrations.RunPython(seed, unseed)]
