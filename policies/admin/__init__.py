"""Admin for officials, by responsibility: departments (``departments``), the policy form and
its criteria and award builder (``forms``, ``builder``), the policy change page and workflow
(``policy``), the builder's JSON endpoints and the workflow's transitions (``endpoints``), the
reviewers' queue and the publish confirmation (``review``), and the version history
(``history``). Importing the package registers them all."""

from . import departments, history, policy, review  # noqa: F401 - registers the ModelAdmins
