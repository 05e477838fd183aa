"""The reading side's views: `reading` (posts and lists), `community` (comments and likes), `mentions`."""
