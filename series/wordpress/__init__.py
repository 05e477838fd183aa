"""Moving a blog in from WordPress: reading its export, converting its content, importing it."""
