"""The Streamlit app (`make ui`): outside the package, on the public API and report writers."""
