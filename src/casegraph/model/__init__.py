"""The vocabulary: FollowTheMoney schemata, statements, sources and markings. No I/O."""
