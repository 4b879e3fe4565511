FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY application application
COPY projections projections
COPY interfaces interfaces
COPY infrastructure infrastructure
RUN pip install --no-cache-dir . && useradd --system lending
USER lending
ENV LENDING_HOST=0.0.0.0 LENDING_DATA_DIR=/tmp/lending
EXPOSE 8000
CMD ["lending", "serve"]
