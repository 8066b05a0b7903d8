"""docker-compose.yml, the Dockerfile and the Makefile name only things the app really has."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (ROOT / "factcheck" / "settings.py").read_text()


def variables_read_by_settings():
    return set(re.findall(r"""(?:os\.environ\.get|env_(?:bool|int|float|list))\(\s*["']([A-Z_]+)["']""", SETTINGS))


def test_every_variable_compose_passes_to_the_app_is_read_by_the_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app_env = compose["services"]["app"]["environment"]
    unknown = set(app_env) - variables_read_by_settings()
    assert unknown == set(), f"docker-compose passes variables the app never reads: {unknown}"
    assert app_env["DATABASE_URL"].startswith("postgres://")
    db_env = compose["services"]["db"]["environment"]
    assert (
        f"{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"
        in (app_env["DATABASE_URL"])
    )


def test_compose_refuses_to_start_without_a_secret_key_of_its_own():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    value = compose["services"]["app"]["environment"]["DJANGO_SECRET_KEY"]
    # ${VAR:?message}: compose stops with the message when the variable is unset or empty; no default key.
    assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?[^}]*50\+ random characters\}", value), value


def test_compose_and_dockerfile_serve_the_real_wsgi_application():
    compose = (ROOT / "docker-compose.yml").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "gunicorn factcheck.wsgi:application" in compose
    assert "factcheck.wsgi:application" in dockerfile
    assert (ROOT / "factcheck" / "wsgi.py").exists()
    assert "requirements.txt" in dockerfile


def test_readme_configuration_table_matches_the_settings():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`((?:DJANGO|FACTCHECK|DATABASE)_[A-Z_]+)`", readme))
    read = variables_read_by_settings()
    assert read - documented == set(), f"settings read undocumented variables: {read - documented}"
    assert documented - read == set(), f"README documents variables the settings ignore: {documented - read}"


def test_compose_sets_the_public_base_url_explicitly():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    value = compose["services"]["app"]["environment"]["FACTCHECK_PUBLIC_BASE_URL"]
    # Taken from the environment (.env), so a deployment sets its own; the default is only for local use.
    assert value.startswith("${FACTCHECK_PUBLIC_BASE_URL")


def procfile():
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_the_procfile_runs_the_web_app_as_the_dockerfile_does_and_the_job_worker():
    processes = procfile()
    assert set(processes) == {"release", "web", "worker"}
    assert processes["web"].startswith("gunicorn factcheck.wsgi:application -c factcheck/gunicorn.conf.py ")
    assert '"-c", "factcheck/gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()
    assert processes["worker"] == "python manage.py run_jobs"
    assert (ROOT / "factcheck" / "management" / "commands" / "run_jobs.py").exists()


def test_compose_runs_the_worker_with_the_apps_settings_and_files():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app, worker = compose["services"]["app"], compose["services"]["worker"]
    assert worker["command"] == procfile()["worker"]
    assert worker["environment"] == app["environment"]  # the same database, engine and broker
    assert app["environment"]["FACTCHECK_JOBS"].startswith("${FACTCHECK_JOBS:-database")
    # Exports written by the worker are served by the app: the same directory in both.
    media = app["environment"]["FACTCHECK_MEDIA_ROOT"]
    assert f"media:{media}" in app["volumes"] and f"media:{media}" in worker["volumes"]
    assert worker["depends_on"]["app"]["condition"] == "service_healthy"  # after the app's migrations


def test_make_run_starts_the_worker_beside_the_server_and_stops_it_with_it():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun: setup\n", 1)[1].split("\n\n", 1)[0]
    assert "manage.py run_jobs &" in recipe
    assert "trap 'kill $$worker" in recipe
    assert recipe.rstrip().endswith("manage.py runserver $(HOST):$(PORT)")
