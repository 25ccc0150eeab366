"""The API tests' client: calls as a given user, with that user's bearer token."""
import json

import pytest


@pytest.fixture
def api(client, token_for):
    """api.get(url, user), api.send(method, url, user, **json), api.decide(comment, user, **json)."""
    class Api:
        def get(self, url, user):
            return client.get(url, headers=self._auth(user))

        def send(self, method, url, user, **data):
            return client.generic(method, url, json.dumps(data), content_type="application/json",
                                  headers=self._auth(user))

        def decide(self, comment, user, **data):
            return self.send("POST", f"/api/v1/moderation/comments/{comment.pk}/decisions", user, **data)

        @staticmethod
        def _auth(user):
            return {"Authorization": f"Bearer {token_for(user)}"}
    return Api()
