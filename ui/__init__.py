"""Gradio web app: resident chat, staff clause lookup, about page. Calls the pipeline only."""
