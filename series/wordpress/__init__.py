"""Moving a blog from WordPress or WordPress.com to OLE: reading its export, converting its content, taking in its
pictures, and the import_wordpress command that puts them together."""
