# The plan's quotas, targets and checks come with their own issue.
