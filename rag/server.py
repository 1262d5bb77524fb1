"""`rag serve`: one process, one port: the Gradio web app at / and the JSON API at /api."""

from __future__ import annotations

import os
import sys
from typing import Any

from rag.config import Settings
from rag.feedback import FeedbackLog


def create_app(settings: Settings, pipeline: Any = None) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        import gradio as gr
        from fastapi import FastAPI
    except ImportError as e:
        raise ImportError("the web app needs gradio and fastapi: pip install 'zhengce-rag[web]'") from e
    from rag.api import install_error_handlers, router
    from rag.pipeline import Pipeline
    from ui.app import CSS, JS, build_ui

    pipeline = pipeline or Pipeline(settings)
    feedback = FeedbackLog(settings.feedback_file)
    app = FastAPI(title="政策问答 API", docs_url="/api/docs", openapi_url="/api/openapi.json")
    install_error_handlers(app)
    app.include_router(router(pipeline, feedback))
    blocks = build_ui(pipeline, feedback)
    return gr.mount_gradio_app(app, blocks, path="", css=CSS, js=JS)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    app = create_app(settings)
    print(f"政策问答 running on http://{host}:{port}  (API: http://{host}:{port}/api/health)", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning")
