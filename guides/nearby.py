"""Where to get help nearby, on /infos/ pages: the place kept for the services directory
(issue "Emmaüs Connect": places, hours, conditions). That app does not exist yet.

When it does, it registers a provider in its `AppConfig.ready()`:
`guides.nearby.register(places_for_guides)`, a function taking `topic` (a GuideTopic value
or None) and returning `HelpPlace`s; guides never imports it. With no provider
registered, the pages show no such section."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HelpPlace:
    name: str
    details: str = ""  # address, opening hours, conditions: plain text
    url: str = ""  # the place's page in the directory


Provider = Callable[..., list[HelpPlace]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def places(*, topic: str | None) -> list[HelpPlace]:
    return [place for provider in _providers for place in provider(topic=topic)]
