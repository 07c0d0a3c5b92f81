from django.apps import AppConfig


class ServeConfig(AppConfig):
    name = "isu_engine.serve"
    label = "isu"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pathlib import Path

        from isu_engine.i18n import register_messages

        register_messages(Path(__file__).parent / "messages")
