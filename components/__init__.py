"""Rasa NLU components: thin adapters over the pure modules of mfr/.

Pipeline order in config.yml: InputGuard first (before spaCy), then the usual
tokeniser, featurisers and classifier, MedicalEntityExtractor after SpacyNLP,
and SafetyOverride last, after the FallbackClassifier, so that an emergency
wins over everything else.
"""
