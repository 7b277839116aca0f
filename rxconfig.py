import reflex as rx

from reserve_app.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="reserve_app",
    db_url=settings.database_url,
    frontend_port=settings.port,
    backend_port=settings.port,
    # The browser opens the websocket and API at the public address (prod: one port).
    api_url=settings.app_url,
    deploy_url=settings.app_url,
    cors_allowed_origins=list(settings.allowed_origins),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="medium"))],
    disable_plugins=[rx.plugins.sitemap.SitemapPlugin],
)
