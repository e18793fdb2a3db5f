"""turkic-api: Turkic corpus jobs (sources -> language ID -> IPA) on the async platform."""
