"""qr-api: renders a URL as a QR code (PNG or SVG) on the async platform."""
