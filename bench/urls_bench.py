"""The portal's URLs plus three minimal views that set the framework's limits for the bench."""

from django.urls import include, path

from bench import minimal

urlpatterns = [
    path("bench/minimal/hello/", minimal.hello, name="bench_hello"),
    path("bench/minimal/signed-in/", minimal.signed_in, name="bench_signed_in"),
    path("bench/minimal/insert/", minimal.insert, name="bench_insert"),
    path("", include("infogov.urls")),
]
