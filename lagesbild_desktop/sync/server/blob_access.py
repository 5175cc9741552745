"""Who may read a blob, or learn that it exists: through attachments and uploads only.

A sha256 is not a secret a caller has to know: anyone who saw a record could name it. So
naming a blob gives nothing. An organisation that uploaded a blob completely (its bytes
hashed to the name) is recorded in `blob_upload`. An attachment serves its blob only
through the organisation in its `blob_org`: the author's own upload, or, when the author
could already read the blob through another attachment at the time, the organisation
whose upload that one serves. A caller reads a blob through an attachment it may see
whose `blob_org` uploaded it; `HEAD` tells it the blob is there only then, or when its
own organisation uploaded it. Everyone else hears what a blob that does not exist says.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lagesbild_desktop.sync.server.auth import Principal
from lagesbild_desktop.sync.server.models import BlobUpload, Record
from lagesbild_desktop.sync.server.pull import visible_to
from lagesbild_desktop.sync.server.store import Store

log = logging.getLogger(__name__)


def _served(principal: Principal, sha: str) -> Select[Any]:
    """Attachments the caller may see that serve `sha`: their blob_org uploaded it."""
    return (select(Record.blob_org)
            .join(BlobUpload, and_(BlobUpload.sha256 == Record.blob_sha256,
                                   BlobUpload.org_id == Record.blob_org))
            .where(Record.table_name == "attachment", Record.blob_sha256 == sha,
                   visible_to(principal))
            .limit(1))


def readable(session: Session, principal: Principal, sha: str) -> bool:
    """Whether GET /blobs/{sha} may give the caller the bytes."""
    return session.scalar(_served(principal, sha)) is not None


def uploaded_by(session: Session, org_id: str, sha: str) -> bool:
    return session.get(BlobUpload, (sha, org_id)) is not None


def known_to(session: Session, principal: Principal, sha: str) -> bool:
    """Whether HEAD may say the blob is there: the caller's organisation uploaded it, or
    the caller may read it."""
    return uploaded_by(session, principal.org_id, sha) or readable(session, principal, sha)


def blob_org_for(session: Session, principal: Principal, sha: str) -> str:
    """The `blob_org` of an attachment that `principal` points at `sha` now."""
    if uploaded_by(session, principal.org_id, sha):
        return principal.org_id
    through = session.scalar(_served(principal, sha))
    # Otherwise the author's own: served once the author's organisation uploads it
    # (a record may reach the server before its photo has finished uploading).
    return through if through is not None else principal.org_id


def record_upload(store: Store, principal: Principal, sha: str, now: datetime) -> None:
    """Remember that the caller's organisation holds these bytes (once per organisation)."""
    try:
        with store.write(seq_lock=False) as session:
            if not uploaded_by(session, principal.org_id, sha):
                session.add(BlobUpload(sha256=sha, org_id=principal.org_id,
                                       user_id=principal.user_id or None,
                                       device_id=principal.device_id, at=now))
                log.info("blob %s uploaded by %s (organisation %s)", sha,
                         principal.username, principal.org_id)
    except IntegrityError:
        pass  # another upload by the same organisation recorded it at the same moment
