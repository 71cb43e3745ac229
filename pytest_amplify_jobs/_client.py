"""Amplify clients of our own: fake credentials, no configuration, no environment.

Every client the plugin hands out (``amplify_client``, ``Mode.client``, the one
``stub_list_jobs`` yields) comes from here, built on a botocore session that reads no
``AWS_*`` variable, no profile and no ``~/.aws`` file, whatever the machine has.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _botocore, _model

if TYPE_CHECKING:
    from botocore.client import BaseClient

__all__ = ["check_amplify_client", "make_client"]


def make_client(region: str = "us-east-1") -> BaseClient:
    """An Amplify client that never reads real credentials, config or AWS_* variables."""
    from botocore.config import Config

    client: BaseClient = _isolated_session().create_client(
        _model.SERVICE_NAME,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
        # AWS_ENDPOINT_URL* is read outside the session variables; a test must not follow it.
        config=Config(ignore_configured_endpoint_urls=True),  # type: ignore[call-arg]
    )
    return client


_NOWHERE = "/nonexistent/pytest-amplify-jobs"


@functools.cache
def _isolated_session() -> Any:
    import botocore.session

    # Every session variable keeps its default but loses its environment variable, and the
    # config and credentials files point nowhere: ~/.aws, AWS_PROFILE, AWS_ENDPOINT_URL... are
    # never consulted, whatever the machine running the tests has.
    session_vars = {
        name: (config_name, None, default, converter)
        for name, (config_name, _env, default, converter) in (_botocore.session_variables().items())
    }
    session_vars["config_file"] = (None, None, f"{_NOWHERE}/config", None)
    session_vars["credentials_file"] = (None, None, f"{_NOWHERE}/credentials", None)
    # Explicit credentials are passed to create_client, so the credential chain never runs.
    return botocore.session.Session(session_vars=session_vars)


def check_amplify_client(client: object, name: str = "client") -> None:
    """``TypeError`` unless ``client`` is a botocore (or aiobotocore) Amplify client."""
    from botocore.client import BaseClient

    from pytest_amplify_jobs._text import short_repr

    service = getattr(
        getattr(getattr(client, "meta", None), "service_model", None), "service_name", None
    )
    if not isinstance(client, BaseClient) or service != _model.SERVICE_NAME:
        raise TypeError(
            f"{name}={short_repr(client)} must be a botocore Amplify client "
            "(boto3.client('amplify') or botocore's session.create_client('amplify'))"
        )
