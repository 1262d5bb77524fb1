"""Evaluation harness: gold 篇/章 question sets, pure metrics, reports, and the regression gate (`rag eval`)."""
