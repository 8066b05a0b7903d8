from django.apps import AppConfig


class FactcheckConfig(AppConfig):
    """The project package as an app: the receivers and system checks that span the domain apps."""

    name = "factcheck"
    verbose_name = "Factcheck"

    def ready(self):
        from factcheck import checks

        checks.register()
