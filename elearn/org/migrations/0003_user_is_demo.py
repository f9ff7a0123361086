from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_role_is_the_source_of_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_demo",
            field=models.BooleanField(
                default=False,
                help_text="由 seed_demo 创建、共用公开演示密码的账号；存在这样的账号时，登录页会提示演示密码。",
                verbose_name="演示账号",
            ),
        ),
    ]
