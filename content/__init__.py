"""The content kernel (Wagtail): the campaign home page, standard pages, the emergency-science library, site
settings, the StreamField blocks every page uses, the question chooser and the site search."""
