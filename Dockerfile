FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY api api
COPY loaders loaders
COPY queries queries
RUN pip install --no-cache-dir . && useradd --create-home partnergraph
USER partnergraph
EXPOSE 8000
CMD ["partnergraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
