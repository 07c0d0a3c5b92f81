"""Configure: the municipality config, the follow-up models and the plugins that provide them."""
