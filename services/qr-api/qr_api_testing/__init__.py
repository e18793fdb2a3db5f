"""Test support for qr-api (testonly): a real QR decoder for the images it returns."""
