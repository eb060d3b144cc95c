"""Reports and data exchange: the cohort report, the de-identified research extract, FHIR R4
export and PDFs. Every figure comes from ``ketacare.core.analytics``; this package only reads the
rows (one query per table, ``data``) and shows or writes the results."""
