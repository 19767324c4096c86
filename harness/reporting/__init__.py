"""Allure results and the rendered report."""
