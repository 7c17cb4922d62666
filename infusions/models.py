# Protocols, dose orders, the drug log and chairside charting arrive with their issues.
