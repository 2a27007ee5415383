import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac


def limit_existing_tokens(apps, schema_editor):
    """Tokens issued before expiry existed get the longest lifetime from their creation and the
    fingerprint of their owner's current password (same as ApiToken.fingerprint)."""
    ApiToken = apps.get_model("jobs", "ApiToken")
    for token in ApiToken.objects.select_related("user"):
        token.expires = token.created + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
        token.password_fingerprint = salted_hmac(
            "jobs.ApiToken.password", token.user.password, algorithm="sha256"
        ).hexdigest()
        token.save(update_fields=["expires", "password_fingerprint"])


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0008_audit_user_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='jobexecution',
            name='client_id',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='jobexecution',
            name='parameters',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddIndex(
            model_name='jobexecution',
            index=models.Index(fields=['log_file_name'], name='exec_log_file'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='expires',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='password_fingerprint',
            field=models.CharField(max_length=64, default=''),
            preserve_default=False,
        ),
        migrations.RunPython(limit_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires',
            field=models.DateTimeField(),
        ),
        migrations.CreateModel(
            name='ApiClient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('client_id', models.CharField(max_length=64, unique=True)),
                ('name', models.CharField(max_length=100)),
                ('role', models.CharField(choices=[('Administrator', 'Administrator'), ('Merchandiser', 'Merchandiser'), ('Support', 'Support')], max_length=20)),
                ('secret_hash', models.CharField(max_length=64)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires', models.DateTimeField()),
                ('revoked', models.DateTimeField(blank=True, null=True)),
                ('last_used', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created'],
            },
        ),
        migrations.CreateModel(
            name='ApiAccessToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires', models.DateTimeField()),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='access_tokens', to='jobs.apiclient')),
            ],
            options={
                'indexes': [models.Index(fields=['expires'], name='access_token_expires')],
            },
        ),
    ]
