"""The HTTP side: the Jupyter server extension, its handlers and the OpenAPI document."""
