from django.urls import path

from .views import composer, knowledge

app_name = "knowledge"

urlpatterns = [
    path("knowledge/", knowledge.knowledge_index, name="index"),
    path("knowledge/<slug:slug>/", knowledge.snippet_list, name="snippets"),
    path("knowledge/<slug:slug>/snippets/new/", knowledge.snippet_new, name="snippet_new"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/", knowledge.snippet_edit, name="snippet"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/status/", knowledge.snippet_status, name="snippet_status"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/compare/", knowledge.snippet_compare, name="snippet_compare"),
    path("knowledge/<slug:slug>/snippets/<int:pk>/restore/", knowledge.snippet_restore, name="snippet_restore"),
    path("knowledge/<slug:slug>/products/", knowledge.product_list, name="products"),
    path("knowledge/<slug:slug>/products/new/", knowledge.product_edit, name="product_new"),
    path("knowledge/<slug:slug>/products/<int:pk>/", knowledge.product_edit, name="product"),
    path("knowledge/<slug:slug>/import/", knowledge.import_csv, name="import"),
    path("knowledge/<slug:slug>/export/snippets/", knowledge.export_snippets, name="export_snippets"),
    path("knowledge/<slug:slug>/export/products/", knowledge.export_products, name="export_products"),
    path("tickets/<int:pk>/snippets/", composer.snippet_options, name="options"),
    path("tickets/<int:pk>/snippets/render/", composer.snippet_render, name="render"),
    path("tickets/<int:pk>/reply/bounces/", composer.bounce_check, name="bounce_check"),
]
