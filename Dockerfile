FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings; a build-time key is never used at run time.
RUN DJANGO_SECRET_KEY=build-only-key-not-used-at-runtime-7c1e9a4f2b8d6e3a5c0f9b7d1e4a2c8f python manage.py collectstatic --noinput
EXPOSE 8000
# Before the first start (and after each upgrade): `python manage.py migrate && python manage.py createcachetable`
# (docker-compose.yml runs both). Keep FACTCHECK_MAX_CONCURRENT_EXPORTS below the worker count.
CMD ["gunicorn", "factcheck.wsgi:application", "-c", "factcheck/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "3"]
