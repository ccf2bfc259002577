from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Job",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.CharField(max_length=500)),
                ("status", models.CharField(choices=[("queued", "queued"), ("done", "done")], default="queued", max_length=10)),
                ("words", models.IntegerField(blank=True, null=True)),
                ("processed_by", models.CharField(blank=True, default="", max_length=100)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("finished", models.DateTimeField(blank=True, null=True)),
            ],
            options={"ordering": ["id"]},
        ),
    ]
