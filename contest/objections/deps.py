"""FastAPI dependencies for publications and objections, built on objections.service."""

from typing import Annotated

from fastapi import Depends

from contest.core.web.deps import CurrentOrganiser, CurrentUser, DbSession
from contest.models import Objection, Publication
from contest.objections import service


def _organised_publication(
    publication_id: int, db: DbSession, user: CurrentOrganiser
) -> Publication:
    return service.organised_publication(db, user, publication_id)


def _readable_objection(objection_id: int, db: DbSession, user: CurrentUser) -> Objection:
    return service.readable_objection(db, user, objection_id)


def _organised_objection(objection_id: int, db: DbSession, user: CurrentOrganiser) -> Objection:
    return service.organised_objection(db, user, objection_id)


def _own_objection(objection_id: int, db: DbSession, user: CurrentUser) -> Objection:
    return service.own_objection(db, user, objection_id)


OrganisedPublication = Annotated[Publication, Depends(_organised_publication)]
ReadableObjection = Annotated[Objection, Depends(_readable_objection)]
OrganisedObjection = Annotated[Objection, Depends(_organised_objection)]
OwnObjection = Annotated[Objection, Depends(_own_objection)]
