"""Authors: ban and trust rules (by email, domain or IP range) and the state scoring reads for each author."""
