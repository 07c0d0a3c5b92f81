
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('isu', '0002_audit_append_only'),
    ]

    operations = [
        migrations.CreateModel(
            name='Comparison',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_start', models.DateField()),
                ('period_end', models.DateField()),
                ('runs', models.CharField(max_length=500)),
                ('left_out', models.JSONField(default=list)),
                ('pinned', models.PositiveIntegerField(default=0)),
                ('built_by', models.CharField(blank=True, default='', max_length=150)),
                ('built_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('html', models.BinaryField(default=b'')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='comparisons', to='isu.unit')),
            ],
        ),
    ]
