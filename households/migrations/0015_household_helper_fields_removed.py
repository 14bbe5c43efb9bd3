"""The household's three helper fields go: 0014 made them helpers and assignments, which the API
and the workbook read as helper_name, helper_unit, helper_phone (issue 20)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0014_helpers_from_text'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalhousehold',
            name='helper_name',
        ),
        migrations.RemoveField(
            model_name='historicalhousehold',
            name='helper_phone',
        ),
        migrations.RemoveField(
            model_name='historicalhousehold',
            name='helper_unit',
        ),
        migrations.RemoveField(
            model_name='household',
            name='helper_name',
        ),
        migrations.RemoveField(
            model_name='household',
            name='helper_phone',
        ),
        migrations.RemoveField(
            model_name='household',
            name='helper_unit',
        ),
    ]
