"""Every page of the application. The role-matrix test visits each of these as every role."""

from pathlib import Path

from django.urls import path
from django.views.static import serve as static_file

from isu_engine.serve import views_accounts as accounts
from isu_engine.serve import views_admin as admin
from isu_engine.serve import views_compare as compare
from isu_engine.serve import views_data as data
from isu_engine.serve import views_meeting as meeting
from isu_engine.serve import views_runs as runs

urlpatterns = [
    path("", data.home, name="home"),
    path("static/<path:path>", static_file, {"document_root": Path(__file__).parent / "static"}, name="static"),
    path("login/", accounts.sign_in, name="login"),
    path("logout/", accounts.sign_out, name="logout"),
    path("language/", accounts.language, name="language"),
    path("account/password/", accounts.password_change, name="password_change"),
    path("account/two-factor/setup/", accounts.otp_setup, name="otp_setup"),
    path("account/two-factor/", accounts.otp_verify, name="otp_verify"),

    path("admin/units/", admin.units, name="admin_units"),
    path("admin/units/<int:unit>/", admin.unit_edit, name="admin_unit"),
    path("admin/users/", admin.users, name="admin_users"),
    path("admin/users/<int:user_id>/", admin.user_edit, name="admin_user"),
    path("admin/settings/", admin.organisation, name="admin_settings"),
    path("admin/audit/", admin.audit_log, name="admin_audit"),
    path("admin/audit.csv", admin.audit_export, name="admin_audit_export"),

    path("units/<int:unit>/", data.unit_page, name="unit"),
    path("units/<int:unit>/datasets/new/", data.dataset_new, name="dataset_new"),
    path("units/<int:unit>/erase/", data.erase_client, name="erase_client"),
    path("units/<int:unit>/decisions/", meeting.decisions, name="decisions"),
    path("units/<int:unit>/comparison/", compare.unit_comparison, name="comparison"),
    path("units/<int:unit>/comparison/report/", compare.unit_comparison_report, name="comparison_report"),
    path("comparison/", compare.all_units_comparison, name="all_units_comparison"),
    path("comparison/report/", compare.all_units_comparison_report, name="all_units_comparison_report"),
    path("units/<int:unit>/reflection.yaml", meeting.reflection_export, name="reflection_export"),
    path("units/<int:unit>/reflection/import/", meeting.reflection_import, name="reflection_import"),

    path("datasets/<int:dataset>/", data.dataset_page, name="dataset"),
    path("datasets/<int:dataset>/config/", data.dataset_config, name="dataset_config"),
    path("datasets/<int:dataset>/config.yaml", data.dataset_config_download, name="dataset_config_download"),
    path("datasets/<int:dataset>/upload/", data.upload_new, name="upload_new"),
    path("datasets/<int:dataset>/run/", data.run_new, name="run_new"),

    path("uploads/<int:upload>/", data.upload_page, name="upload"),
    path("uploads/<int:upload>/mapping/", data.upload_mapping, name="upload_mapping"),
    path("uploads/<int:upload>/categories/", data.upload_categories, name="upload_categories"),
    path("uploads/<int:upload>/validation.csv", data.upload_validation_csv, name="upload_validation_csv"),
    path("uploads/<int:upload>/quarantine.csv", data.upload_quarantine_csv, name="upload_quarantine_csv"),

    path("jobs/<int:job>/", data.job_page, name="job"),
    path("jobs/<int:job>/rerun/", data.job_rerun, name="job_rerun"),

    path("runs/<int:run>/", runs.run_page, name="run"),
    path("runs/<int:run>/report/", runs.run_report, name="run_report"),
    path("runs/<int:run>/download/<str:fmt>/", runs.run_download, name="run_download"),
    path("runs/<int:run>/publish/", runs.run_publish, name="run_publish"),
    path("runs/<int:run>/meeting/", meeting.meeting, name="meeting"),
    path("runs/<int:run>/meeting/interpretation/", meeting.add_interpretation, name="add_interpretation"),
    path("runs/<int:run>/meeting/decision/", meeting.add_decision, name="add_decision"),
    path("decisions/<int:decision>/followed-up/", meeting.decision_followed_up, name="decision_followed_up"),
]

handler403 = "isu_engine.serve.views_errors.forbidden"
handler404 = "isu_engine.serve.views_errors.not_found"
handler500 = "isu_engine.serve.views_errors.server_error"
